// What a job command loads when it runs (commands/jobs.ts): in the single
// executable, a bundle of its own (packaging/build.mjs).
export { jobLogs, runJob } from './jobs-run';
export { killJob, psJobs } from './jobs-show';
