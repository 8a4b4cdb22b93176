/**
 * Label and field selectors as apimachinery parses them (labels.Parse, fields.ParseSelector): what
 * they select, and the words a bad one is refused with, which clients show their users verbatim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFieldLabels, fieldLabelNotSupported, fieldsMatch, parseFieldSelector } from './fields.js';
import { matches, parseLabelSelector } from './labels.js';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    const status = (e as { status?: { code: number; message: string } }).status;
    assert.equal(status?.code, 400);
    return status.message;
  }
  assert.fail('accepted');
};

test('label selectors: every form labels.Parse reads', () => {
  const sel = parseLabelSelector('tier in (web, ,api),!canary,env!=dev,app==shop,team,rank>3,in=notin');
  assert.deepEqual(sel.map((r) => [r.key, r.operator, r.values]), [
    ['tier', 'In', ['', 'api', 'web']], ['canary', 'DoesNotExist', []], ['env', 'NotIn', ['dev']], ['app', 'In', ['shop']],
    ['team', 'Exists', []], ['rank', 'Gt', ['3']], ['in', 'In', ['notin']],
  ]);
  assert.equal(matches(sel, { tier: 'web', env: 'prod', app: 'shop', team: 'a', rank: '4', in: 'notin' }), true);
  assert.equal(matches(sel, { tier: 'web', env: 'prod', app: 'shop', team: 'a', rank: '3', in: 'notin' }), false);
  assert.deepEqual(parseLabelSelector('  '), []);
  assert.deepEqual(parseLabelSelector('a=').map((r) => r.values), [['']]);
});

test('label selectors: refused in labels.Parse\'s words', () => {
  const cases: [string, string][] = [
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['-a=b', `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ['a=-b-', `unable to parse requirement: values[0][a]: Invalid value: "-b-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
  ];
  for (const [input, message] of cases) assert.equal(refusal(() => parseLabelSelector(input)), message, input);
  assert.match(refusal(() => parseLabelSelector('a>-x-')), /^unable to parse requirement: \[values\[0\]: Invalid value: "-x-": for 'Gt', 'Lt' operators, the value must be an integer, values\[0\]\[a\]: Invalid value: "-x-": a valid label/);
});

test('field selectors: escapes, operators, and the words of a refusal', () => {
  const sel = parseFieldSelector('status.phase!=Failed,metadata.name==a\\,b,,spec.nodeName=');
  assert.deepEqual(sel, [
    { field: 'metadata.name', op: '=', value: 'a,b' }, { field: 'spec.nodeName', op: '=', value: '' }, { field: 'status.phase', op: '!=', value: 'Failed' },
  ]);
  assert.equal(fieldsMatch(sel, { 'metadata.name': 'a,b', 'spec.nodeName': '', 'status.phase': 'Running' }), true);
  assert.equal(refusal(() => parseFieldSelector('metadata.name')), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  assert.equal(refusal(() => parseFieldSelector('a==b==c')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(refusal(() => parseFieldSelector('metadata.name=a\\b')), 'invalid field selector: invalid escape sequence: \\b');
  assert.equal(refusal(() => parseFieldSelector('metadata.name=a\\')), 'invalid field selector: invalid escape sequence: \\');
  assert.equal(refusal(() => parseFieldSelector('z,a=b')), "invalid selector: 'z,a=b'; can't understand 'z'");
  assert.equal(refusal(() => checkFieldLabels(parseFieldSelector('spec.foo=bar'), { names: ['metadata.name'], unsupported: fieldLabelNotSupported })), 'field label not supported: spec.foo');
  assert.equal(refusal(() => checkFieldLabels(parseFieldSelector('spec.foo=bar'))), '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(refusal(() => checkFieldLabels(parseFieldSelector('metadata.name =x'))), '"metadata.name " is not a known field selector: only "metadata.name", "metadata.namespace"');
});
