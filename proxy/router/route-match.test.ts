// literalPrefix: the text every full match of a regex starts with, used to skip the regex on most paths.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fullMatchRegex, literalPrefix } from './route-match.js';

describe('literalPrefix', () => {
  const cases: [source: string, prefix: string][] = [
    ['/users/[0-9]+', '/users/'],
    ['/users', '/users'],
    ['/a/?', '/a'],
    ['/ab*', '/a'],
    ['/ab+', '/ab'],
    ['/ab{0,2}', '/a'],
    ['/a(b)', '/a'],
    ['/a|/b', ''],
    ['/api/(v1|v2)/x', ''],
    ['^/a', ''],
    ['\\/a', ''],
    ['.*', ''],
    ['{a}', ''],
    ['/a.b', '/a'],
    ['', ''],
  ];
  for (const [source, prefix] of cases) {
    it(`${JSON.stringify(source)} -> ${JSON.stringify(prefix)}`, () => {
      assert.equal(literalPrefix(source), prefix);
      // The property it promises: no full match that does not start with the prefix.
      for (const probe of ['/users/1', '/users', '/a', '/', '/ab', '/abb', '/a/', '/b', '/api/v1/x', '/aXb', 'a', '{a}', '']) {
        if (fullMatchRegex(source).test(probe)) assert.ok(probe.startsWith(prefix), `${probe} matches but lacks ${prefix}`);
      }
    });
  }
});
