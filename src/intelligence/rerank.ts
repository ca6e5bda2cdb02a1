// Optional re-ranking of suggestions by a language model behind an OpenAI-compatible endpoint
// (`POST {base}/chat/completions`). Off by default: only field names and the offline candidates are
// sent — never sample values — and any failure (timeout, bad answer) keeps the offline ranking.
import type { Suggestion } from './suggest.js';

export interface RerankOptions {
  /** Base URL, e.g. http://127.0.0.1:11434/v1 (a local model) or a hosted one the merchant chose. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

interface ChatAnswer {
  choices?: Array<{ message?: { content?: string } }>;
}

/** One request per entity pair: the model returns, per source field, the candidate targets in its order. */
export async function rerank(sourceEntity: string, targetEntity: string, suggestions: Suggestion[], o: RerankOptions): Promise<{ suggestions: Suggestion[]; reranked: boolean; error?: string }> {
  const ask = suggestions.filter((s) => s.candidates.length > 1).map((s) => ({ source: s.source, candidates: s.candidates.map((c) => c.target) }));
  if (!ask.length) return { suggestions, reranked: false };
  const body = {
    model: o.model,
    temperature: 0,
    messages: [
      { role: 'system', content: 'You map fields between commerce and ERP systems. Answer with JSON only: {"order":{"<source>":["<target>", …]}} listing, for each source field, the given candidates best first. Use only the given candidate names.' },
      { role: 'user', content: JSON.stringify({ from: sourceEntity, to: targetEntity, fields: ask }) },
    ],
  };
  try {
    const res = await fetch(`${o.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    });
    if (!res.ok) return { suggestions, reranked: false, error: `re-ranker answered HTTP ${res.status}` };
    const content = ((await res.json()) as ChatAnswer).choices?.[0]?.message?.content ?? '';
    const json = JSON.parse(content.slice(content.indexOf('{'), content.lastIndexOf('}') + 1)) as { order?: Record<string, unknown> };
    const order = json.order ?? {};
    const out = suggestions.map((s) => {
      const want = order[s.source];
      if (!Array.isArray(want)) return s;
      const rank = new Map(want.filter((t): t is string => typeof t === 'string').map((t, i) => [t, i]));
      // Candidates the model left out keep their offline order after the ones it ranked; it cannot add any.
      const cands = [...s.candidates].sort((a, b) => (rank.get(a.target) ?? 1e9) - (rank.get(b.target) ?? 1e9));
      return { ...s, candidates: cands.map((c, i) => (c === s.candidates[i] ? c : { ...c, why: `${c.why}; re-ranked by ${o.model}` })) };
    });
    return { suggestions: out, reranked: true };
  } catch (e) {
    return { suggestions, reranked: false, error: `re-ranker failed, offline ranking kept: ${e instanceof Error ? e.message : String(e)}` };
  }
}
