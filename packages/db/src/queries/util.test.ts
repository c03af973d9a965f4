import { describe, expect, it } from 'vitest';
import { numberArrayParam, uuidArrayParam } from './util.js';

const a = '0b6f2f8e-8f5e-4a43-9d7b-3c1f4f2e9a10';
const b = 'F3C1D2E4-5B6A-4C7D-8E9F-A0B1C2D3E4F5';

describe('uuidArrayParam', () => {
  it.each([
    ['no ids', [], '{}'],
    ['one id', [a], `{${a}}`],
    ['several ids, either case', [a, b], `{${a},${b}}`],
  ])('writes %s as one array literal', (_, ids, literal) => {
    expect(uuidArrayParam(ids)).toBe(literal);
  });

  it.each([
    ['two ids joined by a comma, which would become two elements', [`${a},${b}`]],
    ['a comma in a 36-character id', [`${a.slice(0, 35)},`]],
    ['a brace', [`${a.slice(0, 35)}}`]],
    ['a quote', [`"${a.slice(1)}`]],
    ['a short id', ['run-1']],
    ['one bad id among good ones', [a, 'x', b]],
  ])('leaves %s to node-postgres, element by element', (_, ids) => {
    expect(uuidArrayParam(ids)).toBe(ids);
  });
});

describe('numberArrayParam', () => {
  it.each([
    [[], '{}'],
    [[1, 2, 3], '{1,2,3}'],
    [[-5, 0, 1_700_000_000_123], '{-5,0,1700000000123}'],
    [[0.5, 1e21], '{0.5,1e+21}'],
    [[Number.NaN], '{NaN}'],
  ])('writes %j as %s', (values, literal) => {
    expect(numberArrayParam(values)).toBe(literal);
  });
});
