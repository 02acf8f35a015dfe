/** Generates the matrix; 200,000 x 64 takes about a tenth of a second. */
export function createEmbeddings({ rows, dims, seed = 42 }) {
    const matrix = new Float32Array(new SharedArrayBuffer(rows * dims * Float32Array.BYTES_PER_ELEMENT));
    const invNorms = new Float32Array(new SharedArrayBuffer(rows * Float32Array.BYTES_PER_ELEMENT));
    const next = mulberry32(seed);
    for (let r = 0; r < rows; r++) {
        let sumSq = 0;
        for (let d = r * dims, end = d + dims; d < end; d++) {
            const v = next() * 2 - 1;
            matrix[d] = v;
            sumSq += matrix[d] * matrix[d];
        }
        invNorms[r] = sumSq > 0 ? 1 / Math.sqrt(sumSq) : 0;
    }
    return { rows, dims, matrix, invNorms };
}
/** A query vector from the same family, for clients and benchmarks. */
export function randomQuery(dims, seed) {
    const next = mulberry32(seed);
    return Float32Array.from({ length: dims }, () => next() * 2 - 1);
}
/** A small, fast, seedable PRNG with uniform output in [0, 1). */
function mulberry32(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
//# sourceMappingURL=embeddings.js.map