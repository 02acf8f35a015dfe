/**
 * Asks a running recommend service for matches, from both implementations,
 * and for the popular items.
 *
 *   npm run client -w @courier/example-recommend
 */
import { createClient } from '@courier/core';
import { randomQuery } from './embeddings.js';
import { DIMS, recommend } from './service.js';

const client = createClient(recommend, {
  endpoints: [process.env.RECOMMEND_CONNECT ?? 'tcp://127.0.0.1:7300'],
});
try {
  const query = Array.from(randomQuery(DIMS, 7));
  for (const method of ['similar', 'similarNative'] as const) {
    const started = performance.now();
    const { ids, scores } = await client[method]({ query, k: 5 });
    const ms = (performance.now() - started).toFixed(1);
    console.log(
      `${method.padEnd(13)} ${ms.padStart(6)} ms  ${ids.map((id, i) => `${id} (${scores[i]!.toFixed(3)})`).join(', ')}`,
    );
  }
  console.log('popular      ', (await client.popular({ limit: 5 })).ids.join(', '));
} finally {
  await client.$close();
}
