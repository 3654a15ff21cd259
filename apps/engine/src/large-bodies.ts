/** Engine routes that take bodies over the 1 MB default, and how large. */
export const ENGINE_LARGE_BODIES = [
  { path: '/v1/inventory', limit: '64mb' },
  // Alertmanager posts a whole group in one body, and a group has no size limit: 2,000 alerts
  // with their labels and annotations are about 1.1 MB.
  { path: '/v1/alarms/alertmanager', limit: '8mb' },
  { path: '/v1/alarms/aodh', limit: '8mb' },
];
