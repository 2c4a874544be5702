/**
 * The operation table: each path the service answers, with how its body is decoded, which core
 * operation handles it, and how its answer is encoded on the wire. The domain (validation,
 * visibility, paging, tokens) is core's; this module only names what answers what.
 *
 * @module
 */
import {
  type Caller,
  decodeAggregationsRequest,
  type Engine,
  type ScanFindingStore,
  type ScantallyError,
} from '@scantally/core'
import {
  answerAggregationsRequest,
  answerFindingsRequest,
  decodeFindingsRequest,
  invalidRequest,
} from '@scantally/core/internal'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type AnswerCache, answerFromCache } from './AnswerCache.js'
import type { WireError } from './ProtocolError.js'
import { aggregationsInput, findingsInput, readShape, type Shape } from './Shape.js'
import { jsonResponse, type WireResponse } from './Wire.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The operations served, by path. Both are `POST` with a JSON body, as the SDK sends them.
 *
 * @category model
 */
export const operationPaths = ['/ListImageScanFindingAggregations', '/ListImageScanFindings'] as const

/**
 * One of {@link operationPaths}.
 *
 * @category model
 */
export type OperationPath = (typeof operationPaths)[number]

/**
 * What an operation is handled with: the engine answering this request and the caller.
 *
 * @category model
 */
export interface OperationContext {
  readonly engine: Engine
  readonly caller: Caller
}

/**
 * One row of the table, typed: `input` is the input shape the protocol reads the parsed body
 * against (unknown and `null` members left out, a wrong JSON type refused), `decode` validates
 * what it read by the model's rules, `handle` answers the decoded request, `encode` writes the
 * answer.
 *
 * @category model
 */
export interface OperationSpec<I, O> {
  readonly input: Shape
  readonly decode: (body: unknown) => E.Either<ScantallyError, I>
  readonly handle: (context: OperationContext) => (request: I) => E.Either<ScantallyError, O>
  readonly encode: (response: O) => WireResponse
}

/**
 * A served operation: its three parts composed, from a parsed body to a wire response or the
 * error to answer with.
 *
 * @category model
 */
export interface ServedOperation {
  readonly answer: (context: OperationContext, body: unknown) => E.Either<WireError, WireResponse>
}

/**
 * The table: path to operation.
 *
 * @category model
 */
export type OperationTable = ReadonlyMap<OperationPath, ServedOperation>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Serves an operation from its input shape, decode, handle and encode.
 *
 * @category constructors
 */
export const served = <I, O>(spec: OperationSpec<I, O>): ServedOperation => ({
  answer: (context, body) =>
    pipe(
      readShape(spec.input)(body),
      Either.chainW(spec.decode),
      Either.chainW(spec.handle(context)),
      Either.map(spec.encode),
    ),
})

/**
 * An operation this handler does not serve: every request to it is answered with the error.
 *
 * @category constructors
 */
export const unserved = (error: ScantallyError): ServedOperation => ({ answer: () => Either.left(error) })

/**
 * The table of both operations. Without a store, `ListImageScanFindings` answers
 * InvalidRequestException whatever the body. With an answer cache, the standard aggregations
 * take their groups from it (the same answers, see {@link answerFromCache}); without one, every
 * request goes through core's own cache of sorted answers.
 *
 * @category constructors
 */
export const operationTable = (store: ScanFindingStore | undefined, cache?: AnswerCache): OperationTable =>
  new Map<OperationPath, ServedOperation>([
    [
      '/ListImageScanFindingAggregations',
      served({
        input: aggregationsInput,
        decode: decodeAggregationsRequest,
        handle:
          cache === undefined
            ? ({ engine, caller }) => answerAggregationsRequest(engine, caller)
            : ({ engine, caller }) => answerFromCache(cache)(engine, caller),
        encode: answered,
      }),
    ],
    [
      '/ListImageScanFindings',
      store === undefined
        ? unserved(invalidRequest('ListImageScanFindings is not served here: no finding store is configured'))
        : served({
            input: findingsInput,
            decode: decodeFindingsRequest,
            handle:
              ({ engine, caller }) =>
              (request) =>
                answerFindingsRequest(engine, store, caller, request),
            encode: answered,
          }),
    ],
  ])

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// Both answers carry their request id, which also goes in the `x-amzn-requestid` header.
const answered = (response: { readonly requestId: string }): WireResponse =>
  jsonResponse(response.requestId, response)
