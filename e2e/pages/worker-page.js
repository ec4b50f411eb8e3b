// Runs the source in a dedicated worker and mirrors what it reports.
window.log = { ids: [], data: [], errors: [], opens: 0, ready: null };
const worker = new Worker(`worker.js${location.search}`);
worker.onmessage = ({ data }) => {
  if (data.type === 'message') {
    window.log.ids.push(data.id);
    window.log.data.push(data.data);
  } else if (data.type === 'open') window.log.opens++;
  else if (data.type === 'error') window.log.errors.push(data.reason);
  else if (data.type === 'ready') window.log.ready = data;
};
