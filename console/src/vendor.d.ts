// The date-fns adapter registers itself with Chart.js on import and exports nothing we use.
declare module 'chartjs-adapter-date-fns';
// Vite bundles imported stylesheets.
declare module '*.css';
