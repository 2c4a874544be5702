import { testKey } from '@scantally/core/testing'
import test from 'ava'
import { makeHandler } from './Handler.js'
import { silentLogger } from './Logger.js'
import { accountOf, dataset } from './test/harness.js'
import type { WireResponse } from './Wire.js'

// Smithy's restJson1 malformed-request protocol tests (httpMalformedRequestTests) that apply to
// this service's input shapes, each case cited by its test id and file in smithy-lang/smithy,
// smithy-aws-protocol-tests/model/restJson1/malformedRequests/. The input shapes here are
// strings, lists of strings, structures and one integer (ListImageScanFindings' maxResults).

const { index, store } = dataset(40)
const handler = makeHandler({
  index,
  store,
  engineOptions: { keys: [testKey(9)], pageSize: 100 },
  logger: silentLogger,
})

const aggregations = '/ListImageScanFindingAggregations'
const findings = '/ListImageScanFindings'

const post = (path: string, body: string, contentType: string | null = 'application/json'): WireResponse =>
  handler.handle({
    method: 'POST',
    target: path,
    headers: new Map(contentType === null ? [] : [['content-type', contentType]]),
    body: Buffer.from(body),
  })

const answer = (r: WireResponse) => ({ status: r.status, name: r.headers['x-amzn-errortype'] ?? 'ok' })
const serialization = { status: 400, name: 'SerializationException' }
// Answers without their request ids, to compare two answers.
const content = (r: WireResponse) => {
  const { requestId: _, ...rest } = JSON.parse(r.body) as Record<string, unknown>
  return { status: r.status, body: rest }
}

// malformed-request-body.smithy, RestJsonInvalidJsonBody: a body that is not JSON.
test('RestJsonInvalidJsonBody: a body that is not valid JSON is 400 SerializationException', (t) => {
  for (const body of [
    '{[',
    '{ "nextToken": "a" }abc',
    'abc{ "nextToken": "a" }',
    '{\n  "nextToken": "a" // the token\n}',
    '{\n  "nextToken": "a" /* the token */\n}',
    '{"nextToken" :\u000c"a"}',
    "{'nextToken': 'a'}",
    '{"nextToken": "a",}',
  ])
    for (const path of [aggregations, findings]) t.deepEqual(answer(post(path, body)), serialization, body)
})

// malformed-request-body.smithy, RestJsonTechnicallyValidJsonBody: JSON that is not an object.
test('RestJsonTechnicallyValidJsonBody: JSON that cannot map to the input structure is 400 SerializationException', (t) => {
  for (const body of ['[{ "nextToken": "a"}]', '10', 'null'])
    for (const path of [aggregations, findings]) t.deepEqual(answer(post(path, body)), serialization, body)
})

// malformed-content-type.smithy, RestJsonWithBodyExpectsApplicationJsonContentType: a modeled
// body with another content type; smithy-rs answers a missing one alike (MissingContentType ->
// UnsupportedMediaType in rust-runtime/aws-smithy-http-server/src/protocol/rest_json_1/runtime_error.rs).
test('RestJsonWithBodyExpectsApplicationJsonContentType: another or no content type is 415 UnsupportedMediaTypeException', (t) => {
  for (const contentType of ['application/hal+json', 'text/plain', 'application/x-amz-json-1.1', null])
    t.deepEqual(answer(post(aggregations, '{}', contentType)), {
      status: 415,
      name: 'UnsupportedMediaTypeException',
    })
  // Parameters of application/json are fine; so is an empty body, the SDK's empty input.
  t.is(post(aggregations, '{}', 'application/json; charset=utf-8').status, 200)
  t.is(post(aggregations, '', null).status, 200)
})

// malformed-list.smithy, RestJsonBodyMalformedListNullItem and RestJsonBodyMalformedListUnclosed:
// filter.values and filters are dense lists.
test('RestJsonBodyMalformedListNullItem and RestJsonBodyMalformedListUnclosed: 400 SerializationException', (t) => {
  t.deepEqual(
    answer(post(aggregations, '{"filter": {"name": "vulnerabilityId", "values": ["a", null, "b", "c"]}}')),
    serialization,
  )
  t.deepEqual(answer(post(findings, '{"filters": [null]}')), serialization)
  t.deepEqual(
    answer(post(aggregations, '{"filter": {"name": "vulnerabilityId", "values": ["a", "b", "c" }}')),
    serialization,
  )
})

// malformed-integer.smithy, RestJsonBodyIntegerMalformedValueRejected and
// RestJsonBodyIntegerUnderflowOverflow, for maxResults (an Integer).
test('RestJsonBodyIntegerMalformedValueRejected and RestJsonBodyIntegerUnderflowOverflow: maxResults is 400 SerializationException', (t) => {
  for (const value of [
    '"123"',
    'true',
    '1.001',
    '2ABC',
    '0x42',
    'Infinity',
    '"Infinity"',
    '-Infinity',
    '"-Infinity"',
    'NaN',
    '"NaN"',
    '-9223372000000000000',
    '9223372000000000000',
    '123000000000000000000000',
  ])
    t.deepEqual(answer(post(findings, `{ "maxResults" : ${value} }`)), serialization, value)
  // An integer out of the model's range 1–25 is the model's rule: InvalidRequestException.
  t.deepEqual(answer(post(findings, '{ "maxResults" : 26 }')), {
    status: 400,
    name: 'InvalidRequestException',
  })
})

// The restJson1 JSON shape serialization table (docs/source-2.0/aws/protocols/aws-restjson1-protocol.rst
// in smithy-lang/smithy): a string is a JSON string, a list a JSON array, a structure a JSON
// object. Another JSON type is a body that does not map to the shape: SerializationException, as in
// RestJsonTechnicallyValidJsonBody.
test('a member of the wrong JSON type is 400 SerializationException naming the member', (t) => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    [aggregations, '{"nextToken": 10}', 'nextToken must be a string, got the number 10'],
    [aggregations, '{"filter": "accountId"}', 'filter must be a structure (a JSON object), got a string'],
    [
      aggregations,
      '{"filter": {"name": "accountId", "values": "1"}}',
      'filter.values must be a list, got a string',
    ],
    [
      aggregations,
      '{"filter": {"name": ["accountId"], "values": ["1"]}}',
      'filter.name must be a string, got a list',
    ],
    [
      aggregations,
      '{"filter": {"name": "accountId", "values": [111122223333]}}',
      'filter.values[0] must be a string, got the number 111122223333',
    ],
    [findings, '{"filters": {"name": "severity"}}', 'filters must be a list, got an object'],
    [
      findings,
      '{"filters": [{"name": "severity", "values": [false]}]}',
      'filters[0].values[0] must be a string, got false',
    ],
  ]
  for (const [path, body, message] of cases) {
    const r = post(path, body)
    t.deepEqual(answer(r), serialization, body)
    t.is((JSON.parse(r.body) as { message: string }).message, message)
  }
})

// Smithy: "Members MAY be added to structures" (docs/source-2.0/spec/aggregate-types.rst, "Adding
// new structure members"): a client built from a newer model may send a member this server does
// not know, and the request must still be served. A member set to null is not set.
test('an unknown member is ignored and a null member is absent, at every level', (t) => {
  const filter = { name: 'accountId', values: [accountOf(0), accountOf(1)] }
  const plain = content(post(aggregations, JSON.stringify({ filter })))
  t.is(plain.status, 200)
  const f = JSON.stringify(filter)
  for (const body of [
    `{"filter": ${f}, "futureMember": {"any": ["thing"]}}`,
    `{"filter": {"name": "accountId", "values": ${JSON.stringify(filter.values)}, "comparison": "EQUALS"}}`,
    `{"filter": ${f}, "nextToken": null}`,
    // Names of Object.prototype are unknown members like any other.
    `{"filter": ${f}, "__proto__": {"nextToken": "x"}, "constructor": 1, "toString": "x"}`,
  ])
    t.deepEqual(content(post(aggregations, body)), plain, body)
  const all = content(post(aggregations, '{}'))
  t.deepEqual(content(post(aggregations, '{"filter": null, "nextToken": null, "maxResults": 5}')), all)
  const severity = { filters: [{ name: 'severity', values: ['HIGH'] }], maxResults: 3 }
  t.deepEqual(
    content(
      post(
        findings,
        JSON.stringify({ ...severity, sortBy: 'x', filters: [{ ...severity.filters[0], x: 1 }] }),
      ),
    ),
    content(post(findings, JSON.stringify(severity))),
  )
  // A required member set to null is missing: the model's rule, InvalidRequestException.
  const missing = post(aggregations, '{"filter": {"name": null, "values": ["1"]}}')
  t.deepEqual(answer(missing), { status: 400, name: 'InvalidRequestException' })
})

// The model's constraints (length, pattern, enum, list size) stay the model's error: this model
// names InvalidRequestException for them, where Smithy's validation tests expect
// smithy.framework#ValidationException of models that use it (restJson1/validation/*.smithy).
test('a value of the right type that breaks the model is 400 InvalidRequestException', (t) => {
  for (const [path, body] of [
    [aggregations, '{"filter": {"name": "accountid", "values": ["1"]}}'],
    [aggregations, '{"filter": {"name": "accountId", "values": []}}'],
    [aggregations, '{"nextToken": ""}'],
    [findings, '{"filters": [{"name": "severity", "values": ["high"]}]}'],
    [findings, '{"maxResults": 0}'],
  ] as const)
    t.deepEqual(answer(post(path, body)), { status: 400, name: 'InvalidRequestException' }, body)
})
