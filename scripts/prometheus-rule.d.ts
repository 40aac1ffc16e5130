/** The PrometheusRule manifest for the text of deploy/prometheus/coalmine.rules.yml. */
export function prometheusRule(rulesText: string): {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: unknown };
};
