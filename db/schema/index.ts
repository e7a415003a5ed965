export * from "./providers";
export * from "./models";
export * from "./teams";
export * from "./api-keys";
export * from "./usage";
export * from "./events";
export * from "./settings";
export * from "./routes";
