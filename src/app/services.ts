import { createContext, useContext } from 'react';
import type { SessionPort } from '../editor/ports';
import type { CanvasTools } from '../editor/tools/CanvasTools';

/** App-wide objects that are not state: the canvas tools and session storage. */
export interface AppServices {
  tools: CanvasTools;
  sessions: SessionPort;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices must be used inside <ServicesContext.Provider>');
  return services;
}
