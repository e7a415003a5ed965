/**
 * The parts of an OpenAI chat-completions request that the gateway's validation and the simulator
 * both read: messages, tool calls, tools and tool_choice. Each side builds its own request schema
 * around them, with its own rules for the top-level fields.
 */
import { z } from "zod";

/** Only the type is checked; the rest of a part (text, image_url, input_audio, …) passes through. */
export const contentPart = z.looseObject({ type: z.string() });

export const toolCall = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/** A message whose array content is made of `part`s. */
export const messageOf = <P extends z.ZodType>(part: P) =>
  z.looseObject({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    content: z.union([z.string(), z.array(part), z.null()]).optional(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    tool_call_id: z.string().optional(),
  });

export const message = messageOf(contentPart);

/** OpenAI's rule for a function's name. */
export const functionName = z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "must match ^[a-zA-Z0-9_-]+$");

/** A function tool whose name must pass `name`. */
export const toolOf = (name: z.ZodString) =>
  z.looseObject({
    type: z.literal("function"),
    function: z.looseObject({
      name,
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
    }),
  });

export const tool = toolOf(functionName);

export const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);
