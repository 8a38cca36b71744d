/** Renderer entry: connects to whichever host serves the API, then mounts the app. */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connectTransport } from './lib/transport';
import { Workbench } from './lib/workbench.svelte';

const target = document.getElementById('app')!;
connectTransport()
  .then((transport) => {
    const workbench = new Workbench(transport);
    mount(App, { target, props: { workbench } });
  })
  .catch((error: unknown) => {
    target.textContent = `EcoEval could not reach its host: ${(error as Error).message}`;
  });
