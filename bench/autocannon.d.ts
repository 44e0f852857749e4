// The part of autocannon's API the benchmarks use (it ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Histogram { average: number; p50: number; p99: number; p97_5: number; max: number; total: number }
    interface Result { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number; statusCodeStats: Record<string, { count: number }> }
    interface RawRequest { method?: string; path?: string; headers?: Record<string, string>; body?: string }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      requests?: Array<RawRequest & { setupRequest?: (req: RawRequest) => RawRequest }>;
    }
  }
  function autocannon(options: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): unknown;
  export default autocannon;
}
