"""Programme-neutral pieces shared by 社区矫正, 安置帮教 and the features working on both."""
