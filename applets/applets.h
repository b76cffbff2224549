/* The one applet table: name, entry function, one-line summary. Keep it sorted by name (a unit test checks). */
APPLET("apache-mem", apache_mem_main, "memory of Apache workers and mod_wsgi daemons: RSS, PSS, USS, swap")
APPLET("cron-graceful", cron_graceful_main, "pause cron, wait for its running jobs to end, then stop it")
APPLET("notify-send-headless", notify_send_headless_main, "send a desktop notification from cron, udev or root")
APPLET("proc-stop", proc_stop_main, "stop processes politely, then firmly: a signal, a wait, then SIGKILL")
APPLET("proc-tree", proc_tree_main, "show the process tree, or chosen fields of it as JSON")
APPLET("proc-wait", proc_wait_main, "wait until processes end, whoever started them")
APPLET("with-gpg-agent", with_gpg_agent_main, "run a command connected to your gpg-agent, starting one when needed")
APPLET("with-gui-environment", with_gui_environment_main, "run a command inside the desktop session (X11 or Wayland)")
