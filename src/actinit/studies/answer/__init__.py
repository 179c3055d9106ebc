"""What stored runs say, each claim with its error rate: the runs as columns
(:mod:`.run_table`), summaries across seeds (:mod:`.summary`), intervals and
corrections (:mod:`.intervals`), the paired mean difference and failures compared
(:mod:`.differences`), paired comparisons (:mod:`.statistics`), picking configurations
(:mod:`.selection`), rankings and their guarantees (:mod:`.ranking`, :mod:`.guarantees`), effects and interactions (:mod:`.effects`), published figures judged (:mod:`.published`), tables and files
(:mod:`.exports`), conclusions tested (:mod:`.conclusions`), seeds added where
undecided (:mod:`.adaptive`), recorded runs and their diagnosis (:mod:`.recorded`,
:mod:`.diagnosis`), the trainability plane (:mod:`.trainability`), pruning's trade-off
(:mod:`.tradeoff`), and how often each claim is wrong (:mod:`.calibration`)."""
