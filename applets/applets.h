/* The one applet table: name, entry function, one-line summary. Keep it sorted by name (a unit test checks). */
APPLET("proc-stop", proc_stop_main, "stop processes politely, then firmly: a signal, a wait, then SIGKILL")
APPLET("proc-tree", proc_tree_main, "show the process tree, or chosen fields of it as JSON")
APPLET("proc-wait", proc_wait_main, "wait until processes end, whoever started them")
