/**
 * The item embeddings every recommendation is scored against: a rows x dims
 * float32 matrix, generated deterministically from a seed (a stand-in for a
 * trained model loaded from disk), with each row's inverse norm precomputed.
 *
 * Both arrays live in SharedArrayBuffers, so the server builds them once and
 * every pool worker reads the same memory: passed as the pool's `shared`
 * data, they cross to each worker without a copy.
 */
export interface Embeddings {
  readonly rows: number;
  readonly dims: number;
  /** Row-major: row r is `matrix.subarray(r * dims, (r + 1) * dims)`. */
  readonly matrix: Float32Array;
  /** 1 / |row|, so a cosine costs one dot product and two multiplications. */
  readonly invNorms: Float32Array;
}

export interface EmbeddingOptions {
  readonly rows: number;
  readonly dims: number;
  /** @default 42 */
  readonly seed?: number;
}

/** Generates the matrix; 200,000 x 64 takes about a tenth of a second. */
export function createEmbeddings({ rows, dims, seed = 42 }: EmbeddingOptions): Embeddings {
  const matrix = new Float32Array(new SharedArrayBuffer(rows * dims * Float32Array.BYTES_PER_ELEMENT));
  const invNorms = new Float32Array(new SharedArrayBuffer(rows * Float32Array.BYTES_PER_ELEMENT));
  const next = mulberry32(seed);
  for (let r = 0; r < rows; r++) {
    let sumSq = 0;
    for (let d = r * dims, end = d + dims; d < end; d++) {
      const v = next() * 2 - 1;
      matrix[d] = v;
      sumSq += matrix[d]! * matrix[d]!;
    }
    invNorms[r] = sumSq > 0 ? 1 / Math.sqrt(sumSq) : 0;
  }
  return { rows, dims, matrix, invNorms };
}

/** A query vector from the same family, for clients and benchmarks. */
export function randomQuery(dims: number, seed: number): Float32Array<ArrayBuffer> {
  const next = mulberry32(seed);
  return Float32Array.from({ length: dims }, () => next() * 2 - 1);
}

/** A small, fast, seedable PRNG with uniform output in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
