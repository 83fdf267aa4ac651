# `cmake --install` (and `make install PREFIX=...`): the binary, its man page
# and shell completions (generated from the command-line definitions by the
# binary itself, at build time), the scenario library and the examples under
# share/archsim. `cpack -G DEB` turns the same into a .deb whose Depends come
# from dpkg-shlibdeps.
include(GNUInstallDirs)

set(_gen ${PROJECT_BINARY_DIR}/generated)
set(_gen_files ${_gen}/archsim.1.gz ${_gen}/archsim.bash ${_gen}/_archsim ${_gen}/archsim.fish)
add_custom_command(
  OUTPUT ${_gen_files}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_gen}
  COMMAND sh -c "\"$1\" manpage | gzip -9n > \"$2\"/archsim.1.gz" sh $<TARGET_FILE:archsim> ${_gen}
  COMMAND sh -c "\"$1\" completion bash > \"$2\"/archsim.bash" sh $<TARGET_FILE:archsim> ${_gen}
  COMMAND sh -c "\"$1\" completion zsh > \"$2\"/_archsim" sh $<TARGET_FILE:archsim> ${_gen}
  COMMAND sh -c "\"$1\" completion fish > \"$2\"/archsim.fish" sh $<TARGET_FILE:archsim> ${_gen}
  DEPENDS archsim
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  COMMENT "Generating the man page and shell completions"
  VERBATIM)
add_custom_target(archsim_docs ALL DEPENDS ${_gen_files})

install(TARGETS archsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${_gen}/archsim.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${_gen}/archsim.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME archsim)
install(FILES ${_gen}/_archsim DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${_gen}/archsim.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios ${PROJECT_SOURCE_DIR}/examples
        DESTINATION ${CMAKE_INSTALL_DATADIR}/archsim)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME archsim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "archsim developers <archsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "system-design sandbox and discrete-event simulator")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Describe an architecture and its traffic in YAML; archsim simulates its latency,\n throughput, errors and cost, and exports OpenMetrics, OTLP traces and CSV.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries the binary links
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xvfb, xauth, fonts-dejavu-core, ffmpeg")  # render without a screen, GIF/MP4
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")  # promtool loads --metrics files
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
