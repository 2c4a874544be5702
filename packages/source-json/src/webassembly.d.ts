// The part of the WebAssembly JavaScript API the record walker uses. Node has it as a global,
// but @types/node 20 declares it only with the DOM library, which this project does not load.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports: object)
    readonly exports: Record<string, unknown>
  }
  class Global {
    readonly value: unknown
  }
  class Memory {
    readonly buffer: ArrayBuffer
    grow(pages: number): number
  }
}
