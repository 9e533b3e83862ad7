import { startTestApi, TestApi } from './harness/api';

describe('health when Asterisk cannot be reached', () => {
  let api: TestApi;

  beforeAll(async () => {
    // nothing listens on these ports: the API must come up anyway and say what is down
    api = await startTestApi({ AMI_PORT: '9', ARI_URL: 'http://127.0.0.1:9' }, { waitHealthy: false });
  });

  afterAll(async () => api?.close());

  it('answers 503 naming AMI and ARI, with the database up', async () => {
    const response = await api.http().get('/health').expect(503);
    expect(response.body.data).toEqual({
      status: 'unavailable',
      checks: { database: 'up', ami: 'down', ari: 'down' },
      down: ['ami', 'ari'],
    });
  });

  it('reports registered: null rather than guessing when Asterisk cannot be asked', async () => {
    const created = await api
      .post('/api/pbx/extensions', { number: '7000001', password: 'correct-horse-staple' })
      .expect(201);
    expect(created.body.data.registered).toBeNull();
  });
});
