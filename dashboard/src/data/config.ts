/** `config.json` next to index.html: where the HTTP and WebSocket APIs are (written by npm start or the stack). */
export interface DashboardConfig {
  apiUrl: string;
  wsUrl: string;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config = (await response.json()) as Partial<DashboardConfig>;
  if (!config.apiUrl) throw new Error('config.json has no apiUrl');
  return { apiUrl: config.apiUrl, wsUrl: config.wsUrl ?? '' };
}
