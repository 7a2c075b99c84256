/** The overview's Pause / Resume button of one tier (admins): switches it, then has the stats read again. */
import type { Tier } from '@tiered-job-queue/client';
import { useState } from 'preact/hooks';
import { useServices } from '../data/app-context.ts';

export function TierPauseButton({
  tier,
  paused,
  onChanged,
}: {
  tier: Tier;
  paused: boolean;
  onChanged: () => void;
}) {
  const { client, report } = useServices();
  const [busy, setBusy] = useState(false);
  const toggle = () => {
    setBusy(true);
    (paused ? client.resumeTier(tier) : client.pauseTier(tier))
      .then(onChanged, report)
      .finally(() => setBusy(false));
  };
  const action = paused ? 'Resume' : 'Pause';
  return (
    <button type="button" aria-label={`${action} ${tier}`} disabled={busy} onClick={toggle}>
      {action}
    </button>
  );
}
