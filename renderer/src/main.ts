import { mount } from 'svelte';
import App from './App.svelte';
import { chooseTransport } from './api';
import { Workbench } from './state/workbench.svelte';
import './app.css';

const workbench = new Workbench(chooseTransport());
mount(App, { target: document.getElementById('app')!, props: { workbench } });
void workbench.start();
