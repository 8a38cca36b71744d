/**
 * "Energy so far" for a training run, through the energy module's windows (issue 4): one window
 * per stretch between validations, closed and reopened at each one (`lap`), summed into a
 * cumulative figure stored with every checkpoint and plotted against validation BLEU.
 *
 * The meter runs in the energy module's own sampler process and tracks this (trainer) process.
 * When it cannot start, training goes on and the record says why energy is missing — never a
 * silent zero. Tests and quick runs pass `off`.
 */
import type { EnergyMonitor, WindowHandle } from '../energy';
import type { EnergyRecord } from './training-types';

export interface EnergyLap {
  /** Joules of the stretch just closed, or null when not measured. */
  joules: number | null;
  grade: string | null;
}

export interface TrainingEnergy {
  readonly record: EnergyRecord;
  /** Ends the current window and opens the next; returns the closed window's energy. */
  lap(): Promise<EnergyLap>;
  close(): Promise<void>;
}

const GRADES = ['A', 'B', 'C', 'D'];

class Unmeasured implements TrainingEnergy {
  constructor(readonly record: EnergyRecord) {}
  async lap(): Promise<EnergyLap> {
    return { joules: null, grade: null };
  }
  async close(): Promise<void> {}
}

class Measured implements TrainingEnergy {
  readonly record: EnergyRecord;
  #window: WindowHandle | undefined;

  constructor(
    private readonly monitor: EnergyMonitor,
    description: string,
  ) {
    this.record = { status: 'measured', reason: description, grade: null, windows: 0 };
  }

  async open(): Promise<void> {
    this.#window = await this.monitor.begin('training', 'train');
  }

  async lap(): Promise<EnergyLap> {
    if (!this.#window) return { joules: null, grade: null };
    const figure = await this.monitor.end(this.#window);
    this.#window = await this.monitor.begin('training', 'train');
    this.record.windows += 1;
    if (figure.status !== 'complete') {
      this.record.status = 'unavailable';
      this.record.reason = figure.reason;
      return { joules: null, grade: figure.grade };
    }
    const worst = GRADES.indexOf(this.record.grade ?? 'A');
    if (GRADES.indexOf(figure.grade) >= worst) this.record.grade = figure.grade;
    // How the summed parts were obtained (counter, estimate...), so the figure can be labelled.
    const methods = new Set(this.record.methods ?? []);
    for (const part of figure.perComponent) methods.add(part.method);
    this.record.methods = [...methods];
    return { joules: figure.joules, grade: figure.grade };
  }

  async close(): Promise<void> {
    await this.monitor.close();
  }
}

/** Starts energy measurement for this process, or explains why there is none. */
export async function startTrainingEnergy(mode: 'auto' | 'off'): Promise<TrainingEnergy> {
  if (mode === 'off') {
    return new Unmeasured({
      status: 'off',
      reason: 'energy measurement turned off for this run',
      grade: null,
      windows: 0,
    });
  }
  try {
    const { createEnergyMonitor } = await import('../energy');
    const monitor = await createEnergyMonitor({ sampler: { trackPid: process.pid } });
    const chosen = monitor
      .probe()
      .choices.flatMap((c) => c.chosen.map((d) => d.id))
      .join(', ');
    const measured = new Measured(monitor, `energy module windows (${chosen || 'no meters'})`);
    await measured.open();
    return measured;
  } catch (error) {
    return new Unmeasured({
      status: 'unavailable',
      reason: `the energy module could not start: ${(error as Error).message}`,
      grade: null,
      windows: 0,
    });
  }
}
