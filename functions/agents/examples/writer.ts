import * as z from '../../core/zod.ts';
import { type Agent, command } from '../registry.ts';

/** Your model call goes here (an LLM API); this stand-in answers with the prompt's first line. */
async function callModel(prompt: string, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  return `${prompt.split('\n')[0]} [model answer]`;
}

export const writerAgent: Agent = {
  article: command({
    description: 'Researches, outlines, drafts and polishes an article; each stage is a durable step.',
    durable: true,
    params: z.object({ topic: z.string().check(z.minLength(1), z.maxLength(200)) }),
    run: async ({ topic }, ctx) => {
      const stage = (name: string, percent: number, prompt: string) =>
        ctx.step(name, async () => {
          ctx.progress(percent, name);
          return callModel(prompt, ctx.signal);
        });
      const notes = await stage('research', 0, `Research: ${topic}`);
      const outline = await stage('outline', 25, `Outline an article on ${topic}\n${notes}`);
      const draft = await stage('draft', 50, `Write the article from this outline\n${outline}`);
      const article = await stage('polish', 75, `Polish this draft\n${draft}`);
      return { topic, article, continuations: ctx.continuation };
    },
  }),
};
