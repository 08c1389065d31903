import './styles/index.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { connectToStation } from './api/connect';
import { App } from './App';
import { NotifierProvider } from './components/Toasts';
import { StationStore } from './state/station-store';
import { StationContext } from './state/store-context';

const api = connectToStation();
const store = new StationStore(api);
window.addEventListener('pagehide', () => {
  store.dispose();
  api.close();
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <StationContext.Provider value={{ store, api }}>
      <NotifierProvider>
        <App />
      </NotifierProvider>
    </StationContext.Provider>
  </StrictMode>,
);
