/**
 * Entities of a question, from the dimension tables: companies, years, SEC sections, KPI metrics.
 * Build an EntityExtractor once (at load) and call extract() per question.
 */
import type { CompanyRow, KpiFactRow, SectionRow } from '../../loader/types';
import { CompanyMatcher, type CompanyMatch } from './companies';
import { MetricMatcher, type MetricMatch } from './metrics';
import { SectionMatcher, type SectionMatch } from './sections';
import { extractYears, type YearSelection } from './years';

export interface QuestionEntities {
  companies: CompanyMatch[];
  years: YearSelection;
  sections: SectionMatch[];
  metrics: MetricMatch[];
}

export interface EntityDimensions {
  companies: readonly CompanyRow[];
  sections: readonly SectionRow[];
  kpis: readonly Pick<KpiFactRow, 'metric_key' | 'metric_label'>[];
  /** The latest report year in the data: "last three years" counts back from it. */
  latestYear: number;
}

export class EntityExtractor {
  private readonly companies: CompanyMatcher;
  private readonly sections: SectionMatcher;
  private readonly metrics: MetricMatcher;

  constructor(readonly dims: EntityDimensions) {
    this.companies = new CompanyMatcher(dims.companies);
    this.sections = new SectionMatcher(dims.sections);
    this.metrics = new MetricMatcher(dims.kpis);
  }

  extract(question: string): QuestionEntities {
    return {
      companies: this.companies.match(question),
      years: extractYears(question, this.dims.latestYear),
      sections: this.sections.match(question),
      metrics: this.metrics.match(question),
    };
  }
}

export type { CompanyMatch, MetricMatch, SectionMatch, YearSelection };
export { shortCompanyName, COMPANY_ALIASES } from './companies';
