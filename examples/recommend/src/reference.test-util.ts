import type { Embeddings } from './embeddings.js';
import type { Matches } from './top-k.js';

/** The obvious top-k: score every row in double precision, sort them all. */
export function referenceTopK(
  e: Embeddings,
  query: Float32Array,
  k: number,
): Matches & { all: Float64Array } {
  const all = new Float64Array(e.rows);
  let qSq = 0;
  for (const v of query) qSq += v * v;
  for (let r = 0; r < e.rows; r++) {
    let dot = 0;
    let sq = 0;
    for (let d = 0; d < e.dims; d++) {
      const m = e.matrix[r * e.dims + d]!;
      dot += m * query[d]!;
      sq += m * m;
    }
    all[r] = dot / Math.sqrt(sq * qSq);
  }
  const order = Array.from(all.keys()).sort((a, b) => all[b]! - all[a]! || a - b);
  const ids = order.slice(0, k);
  return { ids, scores: ids.map((id) => all[id]!), all };
}

/**
 * Whether `got` is a correct top-k: scores best first, each id's true score
 * matching its reported score and the reference's at that rank (within
 * float32 rounding, so near-ties may legitimately swap).
 */
export function isTopK(got: Matches, want: ReturnType<typeof referenceTopK>, tolerance = 1e-5): boolean {
  if (got.ids.length !== want.ids.length || new Set(got.ids).size !== got.ids.length) return false;
  return got.ids.every((id, i) => {
    const trueScore = want.all[id]!;
    return (
      Math.abs(trueScore - got.scores[i]!) <= tolerance &&
      Math.abs(trueScore - want.scores[i]!) <= tolerance &&
      (i === 0 || got.scores[i - 1]! >= got.scores[i]!)
    );
  });
}
