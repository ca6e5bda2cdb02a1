import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// The sign-in token rides in the fragment (never sent to a server, never in an access log). Take it
// out of the address bar before anything else runs, so it is not in history or a screenshot either.
const m = /[#&]signin=([^&]+)/.exec(location.hash);
const signinToken = m ? decodeURIComponent(m[1]!) : undefined;
if (m) history.replaceState(null, '', location.pathname + location.search);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App signinToken={signinToken} />
  </StrictMode>,
);
