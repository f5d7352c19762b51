import { getJson, type Drill } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { ScoreChart } from '../components/score-chart';
import { utc } from '../format';
import { useLoad } from '../live';

/** Drill history: the score trend as a chart, and each drill in a table (oldest first). */
export function Drills() {
  const { data, error } = useLoad(() => getJson<{ drills: Drill[] }>('/api/drills'), []);
  const drills = data?.drills;
  return (
    <section aria-labelledby="drills-title">
      <h1 id="drills-title">Drills</h1>
      <ErrorAlert message={error} />
      {!drills ? (
        <p aria-busy="true">Loading…</p>
      ) : drills.length === 0 ? (
        <p class="empty">
          No drill has run yet (<code>bin/breachline drill run</code> or <code>/ir drill</code>).
        </p>
      ) : (
        <>
          <ScoreChart drills={drills} />
          <table class="drills">
            <thead>
              <tr>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Scenario</th>
                <th scope="col">Score</th>
                <th scope="col">Result</th>
                <th scope="col">Drill</th>
              </tr>
            </thead>
            <tbody>
              {drills.map((d) => (
                <tr key={d.id}>
                  <td>{utc(d.startedAt)}</td>
                  <td>{d.scenario}</td>
                  <td class="num">{d.score ?? '—'}</td>
                  <td>{d.passed === null ? 'running or not scored' : d.passed ? 'passed' : 'failed'}</td>
                  <td class="sub">{d.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
