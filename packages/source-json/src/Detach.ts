/**
 * Giving an `ArrayBuffer`'s memory back at once, rather than when its thread next collects
 * garbage.
 *
 * @module
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads'

let dropPort: MessagePort | undefined

const closedPort = (): MessagePort => {
  const { port1, port2 } = new MessageChannel()
  port2.close()
  port1.unref()
  return port1
}

/**
 * Detaches `buffer` (every view of it is empty from then on) and frees its memory: moved into a
 * message for a port already closed, it is freed when the message is dropped. Only for a buffer
 * that nothing reads again.
 *
 * @category utils
 */
export const detach = (buffer: ArrayBufferLike): void => {
  dropPort ??= closedPort()
  dropPort.postMessage(undefined, [buffer as ArrayBuffer])
}
