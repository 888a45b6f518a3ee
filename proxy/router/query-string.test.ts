// Query string parsing and decoding for route matching: table-driven, plus a fuzz test that it never throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQueryComponent, firstQueryValue, parseQuery } from './query-string.js';

describe('parseQuery', () => {
  const cases: [query: string, params: string[]][] = [
    ['', []],
    ['a=1', ['a', '1']],
    ['a=1&b=2', ['a', '1', 'b', '2']],
    ['a', ['a', '']],
    ['a=', ['a', '']],
    ['=1', ['', '1']],
    ['a=1=2', ['a', '1=2']],
    ['&&a=1&&', ['a', '1']],
    ['a=1&a=2', ['a', '1', 'a', '2']],
    ['q=hello+world', ['q', 'hello world']],
    ['q=a%26b%3Dc', ['q', 'a&b=c']],
    ['k%20ey=v', ['k ey', 'v']],
  ];
  for (const [query, params] of cases) {
    it(JSON.stringify(query), () => assert.deepEqual(parseQuery(query), params));
  }

  it('firstQueryValue takes the first of repeated parameters', () => {
    assert.equal(firstQueryValue(parseQuery('a=1&a=2'), 'a'), '1');
    assert.equal(firstQueryValue(parseQuery('a=1&a=2'), 'b'), undefined);
  });
});

describe('decodeQueryComponent', () => {
  const cases: [input: string, decoded: string][] = [
    ['plain', 'plain'],
    ['a+b', 'a b'],
    ['a%2Bb', 'a+b'],
    ['a%2bb', 'a+b'],
    ['%C3%A9', 'é'],
    ['%c3%a9', 'é'],
    ['%E2%82%AC', '€'],
    ['%F0%9F%98%80', '😀'],
    ['%', '%'],
    ['%4', '%4'],
    ['%zz', '%zz'],
    ['100%', '100%'],
    ['%C3', '\uFFFD'],
    ['%FF%FE', '\uFFFD\uFFFD'],
    ['%00', '\0'],
    [Buffer.from('é€').toString('latin1'), 'é€'],
    ['€', '€'],
    ['😀x', '😀x'],
    ['\uD800', '\uFFFD'],
  ];
  for (const [input, decoded] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(decoded)}`, () => assert.equal(decodeQueryComponent(input), decoded));
  }

  it('never throws on random input (fuzz, fixed seed)', () => {
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = ['%', '+', '=', '&', 'a', 'F', '0', '9', 'z', '\u00e9', '\u20ac', '\uD83D', '\uDE00', '\0', ' '];
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const len = rand(12);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      const params = parseQuery(s);
      assert.equal(params.length % 2, 0);
      for (const p of params) assert.equal(typeof p, 'string');
    }
  });
});
