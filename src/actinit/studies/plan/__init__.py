"""What to run: the data sets (:mod:`.datasets`), the five metrics a run is judged by
(:mod:`.metrics`), how a configuration is named along each dimension
(:mod:`.dimensions`), the table of a run's settings (:mod:`.settings`), a study and its
published figures (:mod:`.study`), reading and writing study files
(:mod:`.study_file`), and one run's configuration (:mod:`.run_config`). Nothing here
runs anything or reads results."""
