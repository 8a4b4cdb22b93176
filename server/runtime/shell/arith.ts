/** $(( )) arithmetic: integers, variables, + - * / % and comparisons, parentheses, unary minus and !. */
export function evalArith(expr: string, lookup: (name: string) => string | undefined): number {
  const tokens = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const binary = (next: () => number, ops: Record<string, (a: number, b: number) => number>): (() => number) => () => {
    let v = next();
    while (peek() !== undefined && ops[peek()!]) {
      const op = ops[tokens[i++]];
      v = op(v, next());
    }
    return v;
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('arithmetic syntax error');
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error('arithmetic syntax error');
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '!') return primary() ? 0 : 1;
    if (/^\d+$/.test(t)) return Number(t);
    const v = lookup(t);
    return v === undefined || v === '' ? 0 : Math.trunc(Number(v)) || 0;
  };
  const div = (a: number, b: number): number => {
    if (b === 0) throw new Error('divide by zero');
    return Math.trunc(a / b);
  };
  const mul = binary(primary, { '*': (a, b) => a * b, '/': div, '%': (a, b) => (b === 0 ? div(a, b) : a % b) });
  const add = binary(mul, { '+': (a, b) => a + b, '-': (a, b) => a - b });
  const cmp = binary(add, { '<': (a, b) => +(a < b), '>': (a, b) => +(a > b), '<=': (a, b) => +(a <= b), '>=': (a, b) => +(a >= b) });
  const eq = binary(cmp, { '==': (a, b) => +(a === b), '!=': (a, b) => +(a !== b) });
  const and = binary(eq, { '&&': (a, b) => +(!!a && !!b) });
  const or = binary(and, { '||': (a, b) => +(!!a || !!b) });
  if (!tokens.length) return 0;
  const v = or();
  if (i !== tokens.length) throw new Error('arithmetic syntax error');
  return v;
}
