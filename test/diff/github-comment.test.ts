import { CommentsClient, fetchCommentsClient, findMarkedComment, IssueComment, octokitCommentsClient, PER_PAGE, upsertComment } from '../../src/diff/github-comment';
import { COMMENT_MARKER } from '../../src/diff/render-markdown';

/** An in-memory pull request: comments in order, paged like the GitHub API. */
class FakePullRequest implements CommentsClient {
  comments: Array<{ id: number; body: string }> = [];
  calls: string[] = [];
  private next = 1;
  constructor(bodies: string[] = []) {
    for (const body of bodies) this.comments.push({ id: this.next++, body });
  }
  async listComments(page: number, perPage: number): Promise<IssueComment[]> {
    this.calls.push(`list ${page}`);
    return this.comments.slice((page - 1) * perPage, page * perPage);
  }
  async createComment(body: string) {
    this.calls.push('create');
    const c = { id: this.next++, body };
    this.comments.push(c);
    return { id: c.id };
  }
  async updateComment(id: number, body: string) {
    this.calls.push(`update ${id}`);
    const c = this.comments.find((x) => x.id === id);
    if (!c) throw new Error(`no comment ${id}`);
    c.body = body;
  }
}

describe('one diff comment per pull request', () => {
  test('GIVEN no diff comment WHEN upserting THEN one comment is created, with the marker', async () => {
    const pr = new FakePullRequest(['LGTM']);
    expect(await upsertComment(pr, '## diff 1')).toEqual({ action: 'created', id: 2 });
    expect(pr.comments[1].body).toBe(`${COMMENT_MARKER}\n## diff 1`);
  });

  test('GIVEN a diff comment WHEN upserting again THEN it is updated in place, not appended', async () => {
    const pr = new FakePullRequest(['LGTM']);
    await upsertComment(pr, '## diff 1');
    const second = await upsertComment(pr, '## diff 2');
    expect(second).toEqual({ action: 'updated', id: 2 });
    expect(pr.comments).toHaveLength(2);
    expect(pr.comments[1].body).toContain('## diff 2');
    expect(pr.calls.filter((c) => c === 'create')).toHaveLength(1);
  });

  test('the same body again changes nothing', async () => {
    const pr = new FakePullRequest([`${COMMENT_MARKER}\nsame`]);
    expect(await upsertComment(pr, `${COMMENT_MARKER}\nsame`)).toEqual({ action: 'unchanged', id: 1 });
    expect(pr.calls).toEqual(['list 1']);
  });

  test('the marked comment is found on a later page', async () => {
    const bodies = Array.from({ length: PER_PAGE + 5 }, (_, i) => `chatter ${i}`);
    bodies[PER_PAGE + 2] = `${COMMENT_MARKER}\nold diff`;
    const pr = new FakePullRequest(bodies);
    expect(await upsertComment(pr, 'new diff')).toEqual({ action: 'updated', id: PER_PAGE + 3 });
    expect(pr.calls).toEqual(['list 1', 'list 2', `update ${PER_PAGE + 3}`]);
    expect(pr.comments).toHaveLength(PER_PAGE + 5);
  });

  test('a full last page is followed by one more request, which ends the search', async () => {
    const pr = new FakePullRequest(Array.from({ length: PER_PAGE }, () => 'x'));
    expect(await findMarkedComment(pr)).toBeUndefined();
    expect(pr.calls).toEqual(['list 1', 'list 2']);
  });

  test('when an older run left two marked comments, the newest is updated', async () => {
    const pr = new FakePullRequest([`${COMMENT_MARKER}\na`, 'x', `${COMMENT_MARKER}\nb`]);
    expect((await upsertComment(pr, 'c')).id).toBe(3);
  });
});

describe('GitHub clients', () => {
  test('the Octokit adapter passes the pull request and paging to github.rest.issues', async () => {
    const calls: unknown[] = [];
    const github = { rest: { issues: {
      listComments: async (p: unknown) => (calls.push(['list', p]), { data: [{ id: 7, body: COMMENT_MARKER }] }),
      createComment: async (p: unknown) => (calls.push(['create', p]), { data: { id: 8 } }),
      updateComment: async (p: unknown) => calls.push(['update', p]),
    } } };
    const client = octokitCommentsClient(github, { owner: 'o', repo: 'r', issueNumber: 5 });
    expect(await upsertComment(client, 'body')).toEqual({ action: 'updated', id: 7 });
    expect(calls).toEqual([
      ['list', { owner: 'o', repo: 'r', issue_number: 5, per_page: PER_PAGE, page: 1 }],
      ['update', { owner: 'o', repo: 'r', comment_id: 7, body: `${COMMENT_MARKER}\nbody` }],
    ]);
  });

  test('the fetch client calls the REST API with the token, and a failure names the call but not the token', async () => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      if (init.method === 'PATCH') return new Response('rate limited', { status: 403 });
      return new Response(JSON.stringify([{ id: 3, body: COMMENT_MARKER }]), { status: 200 });
    }) as unknown as typeof fetch;
    const client = fetchCommentsClient({ owner: 'o', repo: 'r', issueNumber: 9, token: 'ghs_secret' }, fetchFn);
    const error = await upsertComment(client, 'x').catch((e: Error) => e);
    expect(requests[0].url).toBe('https://api.github.com/repos/o/r/issues/9/comments?per_page=100&page=1');
    expect((requests[0].init.headers as Record<string, string>).authorization).toBe('Bearer ghs_secret');
    expect(requests[1]).toMatchObject({ url: 'https://api.github.com/repos/o/r/issues/comments/3', init: { method: 'PATCH' } });
    expect(String(error)).toMatch(/PATCH \/repos\/o\/r\/issues\/comments\/3 failed: 403 rate limited/);
    expect(String(error)).not.toContain('ghs_secret');
  });
});
