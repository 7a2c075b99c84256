/** The registry every function uses. Register your own agents here. */
import { demoAgent } from './demo.ts';
import { AgentRegistry } from './registry.ts';

export function createRegistry(): AgentRegistry {
  return new AgentRegistry().register('demo', demoAgent);
}

export const agents = createRegistry();
