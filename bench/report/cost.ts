/** Console report of section 2 (cost per million jobs, Step Functions comparison). */
import type { CostResult } from '../lib/results.ts';
import { heading, num, table, usd } from '../lib/table.ts';

export function renderCost(result: CostResult): string {
  const out: string[] = [heading(`[cost] Cost per million jobs on AWS (prices: ${result.priceDate})`)];
  const items = result.shapes[0]?.lines.map((line) => line.item) ?? [];
  out.push(
    table(
      ['per million jobs', 'unit price', ...result.shapes.map((shape) => shape.shape)],
      [
        ...items.map((item) => [
          item,
          result.shapes[0]?.lines.find((line) => line.item === item)?.unitPrice ?? '',
          ...result.shapes.map((shape) => {
            const line = shape.lines.find((l) => l.item === item);
            return line ? `${usd(line.usdPerMillionJobs)} (${num(line.quantityPerJob, 3)})` : '-';
          }),
        ]),
        [
          'platform (all but the agent’s run time)',
          '',
          ...result.shapes.map((s) => usd(s.platformUsdPerMillion)),
        ],
        [
          '  … if GSI entries are billed at their own size',
          '',
          ...result.shapes.map((s) => {
            const writes =
              s.lines.find((line) => line.item.startsWith('DynamoDB write'))?.usdPerMillionJobs ?? 0;
            return usd(s.platformUsdPerMillion - writes + s.dynamoWritesGsiOwnSizeUsdPerMillion);
          }),
        ],
        ['total', '', ...result.shapes.map((s) => usd(s.totalUsdPerMillion))],
        [
          'Step Functions Standard, transitions alone',
          '$25/M',
          ...result.shapes.map(
            (s) => `${usd(s.stepFunctions.usdPerMillion)} (${s.stepFunctions.transitions})`,
          ),
        ],
        [
          'Step Functions ÷ this queue’s platform cost',
          '',
          ...result.shapes.map((s) => `${num(s.stepFunctions.usdPerMillion / s.platformUsdPerMillion, 1)}×`),
        ],
      ],
    ),
  );
  out.push('(quantity per job in parentheses; for Step Functions, state transitions per job)');
  for (const shape of result.shapes)
    out.push(
      `Step Functions model for ${shape.shape}: ${shape.stepFunctions.breakdown.map((b) => `${b.state} ${num(b.count, 2)}`).join(' + ')} = ${num(shape.stepFunctions.transitions, 2)} transitions`,
    );
  out.push('\nIdle cost per month (no jobs):');
  out.push(
    table(
      ['item', 'unit price', 'quantity/month', 'per month'],
      result.idle.lines.map((line) => [
        line.item,
        line.unitPrice,
        num(line.quantityPerMonth, 0),
        usd(line.usdPerMonth),
      ]),
    ),
  );
  out.push(`Idle total (with the AWS poll estimate): ${usd(result.idle.usdPerMonth)} per month`);
  out.push(
    `Memory from the synthesized template: ${[...new Set(result.memory.map((fn) => `${fn.memoryMb} MB`))]
      .map(
        (size) => `${size}: ${result.memory.filter((fn) => `${fn.memoryMb} MB` === size).length} functions`,
      )
      .join(
        ', ',
      )} (worker ${result.memory.find((fn) => fn.module === 'worker')?.memoryMb} MB), ${result.memory[0]?.architecture}, ${result.memory[0]?.runtime}.`,
  );
  out.push('Assumptions:', ...result.assumptions.map((line) => `- ${line}`));
  return out.join('\n');
}
