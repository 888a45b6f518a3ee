// Metrics of config sources, shared with the data plane: one definition per registry, whoever asks first.
import { Counter, type Registry } from 'prom-client';

export const CONFIG_APPLIES_TOTAL = 'weft_config_applies_total';

/**
 * `weft_config_applies_total{result="ok"|"rejected"}`. The data plane counts the outcome of each
 * `apply`; a config source counts only what never reached it (a file that failed validation).
 * Get-or-create, so whichever side asks first registers it and both share the series.
 */
export function configAppliesCounter(registry: Registry): Counter<'result'> {
  const existing = registry.getSingleMetric(CONFIG_APPLIES_TOTAL);
  if (existing) return existing as Counter<'result'>;
  return new Counter({
    name: CONFIG_APPLIES_TOTAL,
    help: 'Snapshots applied (ok) or rejected (invalid, or failed to apply), per data plane.',
    labelNames: ['result'],
    registers: [registry],
  });
}
