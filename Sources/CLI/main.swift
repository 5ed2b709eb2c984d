import SIEMHost

await SIEMExportCommand.start()
