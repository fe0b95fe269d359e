import { COMMENT_MARKER } from './render-markdown';

/**
 * One pull-request comment per pull request, updated on every push: the previous comment is found
 * by a hidden marker and edited; a new one is created only when none exists. The GitHub API is
 * reached through a small injected interface, so the workflow can pass `actions/github-script`'s
 * client and the tests an in-memory one.
 */

export interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
}

export interface CommentsClient {
  /** One page of the pull request's comments, oldest first (1-based page number). */
  listComments(page: number, perPage: number): Promise<readonly IssueComment[]>;
  createComment(body: string): Promise<{ id: number }>;
  updateComment(id: number, body: string): Promise<void>;
}

export const PER_PAGE = 100;
/** Safety stop: a pull request with more than 10,000 comments is not searched further. */
const MAX_PAGES = 100;

export async function findMarkedComment(client: CommentsClient, marker = COMMENT_MARKER): Promise<IssueComment | undefined> {
  let found: IssueComment | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const comments = await client.listComments(page, PER_PAGE);
    // The newest marked comment wins if an older run (or a race) left more than one.
    for (const c of comments) if (c.body?.includes(marker)) found = c;
    if (comments.length < PER_PAGE) break;
  }
  return found;
}

export async function upsertComment(client: CommentsClient, body: string, marker = COMMENT_MARKER): Promise<{ action: 'created' | 'updated' | 'unchanged'; id: number }> {
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  const existing = await findMarkedComment(client, marker);
  if (!existing) return { action: 'created', id: (await client.createComment(text)).id };
  if (existing.body === text) return { action: 'unchanged', id: existing.id };
  await client.updateComment(existing.id, text);
  return { action: 'updated', id: existing.id };
}

/** The part of Octokit (`github` in actions/github-script) this module uses. */
export interface OctokitLike {
  readonly rest: {
    readonly issues: {
      listComments(params: { owner: string; repo: string; issue_number: number; per_page: number; page: number }): Promise<{ data: readonly IssueComment[] }>;
      createComment(params: { owner: string; repo: string; issue_number: number; body: string }): Promise<{ data: { id: number } }>;
      updateComment(params: { owner: string; repo: string; comment_id: number; body: string }): Promise<unknown>;
    };
  };
}

export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

export function octokitCommentsClient(github: OctokitLike, pr: PullRequestRef): CommentsClient {
  const { owner, repo, issueNumber } = pr;
  return {
    listComments: async (page, perPage) => (await github.rest.issues.listComments({ owner, repo, issue_number: issueNumber, per_page: perPage, page })).data,
    createComment: async (body) => ({ id: (await github.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data.id }),
    updateComment: async (id, body) => {
      await github.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    },
  };
}

/** A client over the REST API with `fetch` and a token (for running outside github-script). */
export function fetchCommentsClient(pr: PullRequestRef & { token: string; apiUrl?: string }, fetchFn: typeof fetch = fetch): CommentsClient {
  const api = pr.apiUrl ?? 'https://api.github.com';
  const headers = { authorization: `Bearer ${pr.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' };
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetchFn(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`GitHub API ${method} ${url.replace(api, '')} failed: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const issue = `${api}/repos/${pr.owner}/${pr.repo}/issues`;
  return {
    listComments: async (page, perPage) => (await call('GET', `${issue}/${pr.issueNumber}/comments?per_page=${perPage}&page=${page}`)) as IssueComment[],
    createComment: async (body) => ({ id: ((await call('POST', `${issue}/${pr.issueNumber}/comments`, { body })) as { id: number }).id }),
    updateComment: async (id, body) => {
      await call('PATCH', `${issue}/comments/${id}`, { body });
    },
  };
}
