/** Entry point: styles, then the app. Talks to the host only through api.ts (getApi). */
// First: before any module builds a schema.
import './zod-without-eval';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/devices.css';
import './styles/pages.css';
import './styles/topology.css';
import './styles/wizard.css';
import './styles/vms.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
