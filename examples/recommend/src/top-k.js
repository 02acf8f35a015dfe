/**
 * Top-k cosine similarity in TypeScript: one pass over the matrix, a dot
 * product per row, and a k-sized min-heap of the best so far. The same
 * algorithm as the C++ twin (src/native/recommend.cc), written with the same
 * care (independent partial sums, which V8 keeps in registers), so the
 * benchmark compares languages, not algorithms. Ties go to the lower id.
 */
export function topK(embeddings, query, k) {
    const { rows, dims, matrix, invNorms } = embeddings;
    if (query.length !== dims)
        throw new RangeError(`query has ${query.length} dimensions, expected ${dims}`);
    // Doubles: V8 then multiplies without a float32-to-double conversion per element.
    const q = Float64Array.from(query);
    let qSq = 0;
    for (let d = 0; d < dims; d++)
        qSq += q[d] * q[d];
    const qInv = qSq > 0 ? 1 / Math.sqrt(qSq) : 0;
    const unrolled = dims - (dims % 4);
    const heap = new MinHeap(Math.min(k, rows));
    let floor = Number.NEGATIVE_INFINITY;
    for (let r = 0, base = 0; r < rows; r++, base += dims) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let d = 0;
        for (; d < unrolled; d += 4) {
            a0 += matrix[base + d] * q[d];
            a1 += matrix[base + d + 1] * q[d + 1];
            a2 += matrix[base + d + 2] * q[d + 2];
            a3 += matrix[base + d + 3] * q[d + 3];
        }
        for (; d < dims; d++)
            a0 += matrix[base + d] * q[d];
        const score = (a0 + a1 + (a2 + a3)) * invNorms[r] * qInv;
        // Most rows lose to the worst hit kept; skip the call for them.
        if (score >= floor)
            floor = heap.offer(score, r);
    }
    return heap.drain();
}
/** A fixed-capacity heap whose root is the worst hit kept, in parallel typed arrays. */
class MinHeap {
    #scores;
    #ids;
    #capacity;
    #size = 0;
    constructor(capacity) {
        this.#capacity = capacity;
        this.#scores = new Float64Array(capacity);
        this.#ids = new Uint32Array(capacity);
    }
    /** Keeps the hit if it is among the best so far; returns the score a hit must reach to be kept. */
    offer(score, id) {
        if (this.#size < this.#capacity) {
            this.#siftUp(this.#size++, score, id);
        }
        else if (this.#capacity > 0 && better(score, id, this.#scores[0], this.#ids[0])) {
            this.#siftDown(0, score, id);
        }
        return this.#size < this.#capacity ? Number.NEGATIVE_INFINITY : this.#scores[0];
    }
    /** Empties the heap, best first. */
    drain() {
        const n = this.#size;
        const ids = new Array(n);
        const scores = new Array(n);
        for (let i = n - 1; i >= 0; i--) {
            ids[i] = this.#ids[0];
            scores[i] = this.#scores[0];
            const last = --this.#size;
            if (last > 0)
                this.#siftDown(0, this.#scores[last], this.#ids[last]);
        }
        return { ids, scores };
    }
    #siftUp(i, score, id) {
        while (i > 0) {
            const parent = (i - 1) >> 1;
            if (!better(this.#scores[parent], this.#ids[parent], score, id))
                break;
            this.#scores[i] = this.#scores[parent];
            this.#ids[i] = this.#ids[parent];
            i = parent;
        }
        this.#scores[i] = score;
        this.#ids[i] = id;
    }
    #siftDown(i, score, id) {
        const n = this.#size;
        for (;;) {
            let child = 2 * i + 1;
            if (child >= n)
                break;
            // Follow the worse child: it must stay above the better one.
            if (child + 1 < n &&
                better(this.#scores[child], this.#ids[child], this.#scores[child + 1], this.#ids[child + 1])) {
                child++;
            }
            if (!better(score, id, this.#scores[child], this.#ids[child]))
                break;
            this.#scores[i] = this.#scores[child];
            this.#ids[i] = this.#ids[child];
            i = child;
        }
        this.#scores[i] = score;
        this.#ids[i] = id;
    }
}
function better(scoreA, idA, scoreB, idB) {
    return scoreA > scoreB || (scoreA === scoreB && idA < idB);
}
//# sourceMappingURL=top-k.js.map