// jexl ships no type declarations; this is the slice the expression benchmark uses.
declare module 'jexl' {
  interface CompiledJexlExpression {
    evalSync(context?: unknown): unknown;
  }
  interface JexlInstance {
    compile(expression: string): CompiledJexlExpression;
    addTransform(name: string, transform: (value: unknown, ...args: unknown[]) => unknown): void;
  }
  const jexl: JexlInstance & { Jexl: new () => JexlInstance };
  export default jexl;
}
