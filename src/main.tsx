import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './app/app.css';
import { createStudioStore } from './editor/studioStore';
import { createEngineClient } from './engine/client';
import { StudioContext } from './hooks/useStudio';

const store = createStudioStore(createEngineClient());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StudioContext.Provider value={store}>
      <App />
    </StudioContext.Provider>
  </StrictMode>,
);
