/** Fails to compile unless P has every function of S, taking the same parameters and returning a Promise of the same result. */
type Fn = (...args: never[]) => unknown;
type Asynced<S> = { [K in keyof S as S[K] extends Fn ? K : never]: S[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };
export type AsyncTwin<S, P extends Asynced<S>> = P;
