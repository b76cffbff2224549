/* The one applet table: name, entry function, one-line summary. Keep it sorted by name (a unit test checks). */
APPLET("cron-graceful", cron_graceful_main, "pause cron, wait for its running jobs to end, then stop it")
APPLET("proc-tree", proc_tree_main, "show the process tree, or chosen fields of it as JSON")
