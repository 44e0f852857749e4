/** The usage engine's batch counters from the app's /metrics (realmgate_usage_batch*): operations per batch over a run. */
export async function batchCounts(url: string): Promise<{ batches: number; operations: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { batches: value('realmgate_usage_batches_total'), operations: value('realmgate_usage_batch_operations_total') };
}
