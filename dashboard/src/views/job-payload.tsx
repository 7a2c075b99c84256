/**
 * Params or a result larger than 256 KiB are kept in S3 and left out of the job: a download link instead.
 * The client library fetches them (the API redirects to a short-lived link) and the browser saves the JSON.
 */
import type { Job } from '@tiered-job-queue/client';
import { useState } from 'preact/hooks';
import { useServices } from '../data/app-context.ts';

export function PayloadDownload({ job, which }: { job: Job; which: 'params' | 'result' }) {
  const { client } = useServices();
  const [state, setState] = useState<string>('');
  const download = async (event: Event) => {
    event.preventDefault();
    setState('Downloading…');
    try {
      const value = which === 'params' ? await client.params(job.id) : await client.result(job.id);
      const url = URL.createObjectURL(new Blob([JSON.stringify(value)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${job.id}-${which}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState('');
    } catch (error) {
      setState(`Download failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <p>
      <span class="muted">Larger than 256 KiB, kept in S3. </span>
      <a href={`#/jobs/${job.id}`} onClick={download}>
        Download {which} (JSON)
      </a>
      {state && <span role="status"> {state}</span>}
    </p>
  );
}
